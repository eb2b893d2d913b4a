#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")
    from django.core.management import execute_from_command_line

    from audit.actors import system_run

    # What a command changes is the system's, named after the command (audit.actors);
    # requests that runserver serves still carry their own user.
    with system_run("command", sys.argv[1] if len(sys.argv) > 1 else "help"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
