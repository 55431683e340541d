"""The benchmark script keeps working as the pages change (no timings are checked here)."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "inbox.py"


def load_script():
    if "benchmark_inbox" not in sys.modules:
        spec = importlib.util.spec_from_file_location("benchmark_inbox", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules["benchmark_inbox"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["benchmark_inbox"]


def test_the_benchmark_requests_every_page_once():
    call_command("demo", tickets=15, seed=5, verbosity=0)
    script = load_script()
    bench = script.Bench(script.parse_args(["--iterations", "1", "--warmup", "0"]))
    bench.run()
    names = [r.name for r in bench.results]
    assert names[0] == "inbox: open, first page" and "ticket page" in names
    for result in bench.results:
        assert result.status in ("ok", "missing"), (result.name, result.status)
        if result.status == "ok":
            assert result.samples == 1 and result.queries and result.baseline_p50_ms is not None


def test_percentiles_are_nearest_rank():
    script = load_script()
    values = [float(v) for v in range(1, 101)]
    assert script.percentile(values, 50) == 50.0
    assert script.percentile(values, 95) == 95.0
    assert script.percentile([7.0], 95) == 7.0
