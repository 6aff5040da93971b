"""How long `calfcare --help` takes, against loading the command-line libraries alone.

The baseline is `python -c "import typer, rich"`, run the same number of times in the same
run, so the ratio does not depend on the machine. Both run as fresh processes, alternately,
and the medians are compared. Target: `calfcare --help` at most 1.5 times the baseline.
Run: `.venv/bin/python benchmarks/cli_startup.py [runs]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_RATIO = 1.5
CALFCARE = Path(sys.executable).with_name("calfcare")
COMMANDS = {
    "baseline (import typer, rich)": [sys.executable, "-c", "import typer, rich"],
    "calfcare --help": [str(CALFCARE), "--help"],
    "calfcare kb --help": [str(CALFCARE), "kb", "--help"],
}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(runs: int) -> int:
    for command in COMMANDS.values():  # warm the file cache
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            samples[name].append(timed(command))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["baseline (import typer, rich)"]
    for name, median in medians.items():
        print(f"{name:32s} median {median * 1000:6.1f} ms  ratio {median / baseline:4.2f}")
    ratio = medians["calfcare --help"] / baseline
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"calfcare --help / baseline = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
