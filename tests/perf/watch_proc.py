"""The watcher alone in its own process, for the benchmark: `python watch_proc.py BASE KEY INTERVAL STATE`.

Built the way the watch command builds it (a WiroClient, the watch state file, the metrics endpoint on
loopback), printing one line when the endpoint listens. Runs until terminated.
"""

import asyncio
import sys
from pathlib import Path

from tui.watch.metrics import WatchMetrics
from tui.watch.state import open_state
from tui.watch.watcher import Watcher
from tui.wiro.client import WiroClient


async def main(base: str, key: str, interval: float, state_file: str) -> None:
    metrics = WatchMetrics()
    host, port = metrics.serve("127.0.0.1", 0)
    print(f"listening {host}:{port}", flush=True)
    async with WiroClient(key, None, base) as client:
        watcher = Watcher(client, open_state(Path(state_file)), interval=interval, metrics=metrics)
        await watcher.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]))
