"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (a clean-clone `.ci/run` on the 2-core machine, the
round that ran the clock-bound benchmarks side by side and froze the settled objects), or, for rows that were
new then, the figure their issue reported. Keyed by a short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.19x (221 ms vs 182 ms)",
    "rss_first_frame": "1.52x (49.8 MiB)",
    "live_peak": "1.70x (55.8 MiB)",
    "live_alone": "1.62x (52.9 MiB)",
    "live_growth": "1.003x",
    "refresh_changed": "0.41x (3.01 ms vs 7.33 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.007x",
    "idle_overview": "41 B/s",
    "idle_calls": "586 B/s",
    "key_latency": "6.6 ms / 102 ms (p99 8.57x the idle presses)",
    "filter_removal": "0.69x (1.20 ms vs 1.75 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "27 µs",
    "validate_form": "48 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.16x (16.2 ms vs 100.3 ms)",
    "mp3_decode": "0.19x (16.5 ms vs 84.7 ms)",
    "audio_key": "0.8 ms (25.6 ms first)",
    "watch_cpu": "0.80 %",
    "watch_rss": "1.43x (32.8 MiB)",
    "watch_growth": "1.001x",
}
