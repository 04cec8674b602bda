"""``make bench`` compares two kinds of request head to head, in alternating slices:
a machine whose speed drifts while they run moves neither side more than the other,
and the figure is the ratio of the two requests, not of the moments they ran."""

import pytest

from bench import run


def drifting_machine(cost: dict[str, float], speeds: list[float]):
    """A stand-in for wrk: each slice runs at the machine's next speed; a request's
    rate is that speed over the request's cost."""
    calls = []

    def slice_rate(base, mode, env, data, seconds, **extra):
        speed = speeds[len(calls)]
        calls.append(base)
        rps = speed / cost[base]
        return {
            "rps": rps,
            "requests": rps * seconds,
            "duration_us": seconds * 1e6,
            "p50_us": 1e6 / rps,
            "p99_us": 2e6 / rps,
            "errors": 0,
            "status_errors": 0,
        }

    return slice_rate, calls


@pytest.mark.parametrize(
    "speeds",
    [
        [6000 - 400 * i for i in range(12)],  # slowing down steadily
        [2000 + 500 * i for i in range(12)],  # speeding up
    ],
    ids=["slowing", "speeding-up"],
)
def test_a_steady_drift_cancels_out(monkeypatch, speeds):
    slice_rate, calls = drifting_machine({"app": 4.0, "naive": 10.0}, speeds)
    monkeypatch.setattr(run, "wrk", slice_rate)
    runs = {
        "autosave": ("app", "autosave", None, {}),
        "naive_autosave": ("naive", "autosave", None, {}),
    }
    result, other = run.head_to_head("t", "autosave", "naive_autosave", runs, {})
    # Requests alternate, each slice of one beside a slice of the other.
    assert calls[:4] == ["app", "naive", "naive", "app"]
    assert len(calls) == 2 * run.SLICES
    # True ratio 10 / 4 = 2.5; one run of each, minutes apart, would have said
    # anything from speeds[-1] / speeds[0] * 2.5 to its inverse.
    assert result["ratio"] == pytest.approx(2.5, rel=0.04)
    # Each side's rate is over all its slices.
    assert result["rps"] == pytest.approx(sum(result["rates"]) / run.SLICES)
    assert other["rates"] == [speeds[i] / 10.0 for i in (1, 2, 5, 6, 9, 10)]
