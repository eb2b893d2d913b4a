"""The Redis broker transport (kombu's), with one fix: a worker survives losing its broker mid-task.

Celery 5.7.0, on a lost broker connection, detaches the connection's transport
(``Connection.collect``) and then closes it. Closing the channel hands unacknowledged messages
(tasks running or reserved: ``task_acks_late``) back to Redis through a new client, built from
the detached transport's settings, which are gone: ``AttributeError: 'NoneType' object has no
attribute 'hostname'``. That is not a connection error, so the worker logs "Unrecoverable error"
and exits. Seen with any task in flight when Redis went away (tests/faults/).

Nothing can reach Redis at that moment anyway: the messages stay in Redis's own set of
unacknowledged messages, and a worker hands them back after ``visibility_timeout``. The same
holds for a task that ends while the transport is detached: its acknowledgement would build a
client from the same missing settings (``'NoneType' object has no attribute 'client'``, seen in
CI's fault run), so it is left unacknowledged and delivered again later: tasks are idempotent.
"""

from kombu.transport import redis


class QoS(redis.QoS):
    def _detached(self) -> bool:
        # The transport's settings gone, or (a closed channel) the transport itself.
        transport = self.channel.connection
        return transport is None or transport.client is None

    def restore_unacked(self, client=None):
        if not self._detached():
            super().restore_unacked(client)

    def ack(self, delivery_tag):
        if not self._detached():
            super().ack(delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
