"""Run the same work in several threads released at once, as concurrent requests or workers would."""

import threading

from django.db import connection


def at_once(work, times: int) -> list:
    """``work()`` in ``times`` threads that start together, each on its own connection; their
    results once all have ended. Fails naming any error a thread met."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results
