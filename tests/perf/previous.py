"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (a clean-clone `.ci/run` on the 2-core machine, before
the round that ran the clock-bound benchmarks side by side and froze the settled objects), or, for rows that were
new then, the figure their issue reported. Keyed by a short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.19x (246 ms vs 204 ms)",
    "rss_first_frame": "1.53x (50.1 MiB)",
    "live_peak": "1.70x (55.6 MiB)",
    "live_alone": "1.61x (52.8 MiB)",
    "live_growth": "1.003x",
    "refresh_changed": "0.41x (2.53 ms vs 6.22 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.002x",
    "idle_overview": "41 B/s",
    "idle_calls": "685 B/s",
    "key_latency": "3.2 ms / 249 ms (p99 9.36x the idle presses)",
    "filter_removal": "0.68x (1.10 ms vs 1.61 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "26 µs",
    "validate_form": "46 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.18x (14.9 ms vs 82.6 ms)",
    "mp3_decode": "0.19x (16.8 ms vs 88.7 ms)",
    "audio_key": "0.8 ms (23.6 ms first)",
    "watch_cpu": "1.10 %",
    "watch_rss": "1.45x (33.3 MiB)",
    "watch_growth": "1.002x",
}
