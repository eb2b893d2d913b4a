"""An SMS gateway slow enough to kill a worker in the middle of a delivery run: each message
takes a fifth of a second, then goes to the SMS file as the console backend writes it."""

import time

from jiufeng.sms import ConsoleSmsBackend


class SlowSms(ConsoleSmsBackend):
    def send(self, *, phone: str, text: str) -> None:
        time.sleep(0.2)
        super().send(phone=phone, text=text)
