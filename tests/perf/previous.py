"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table before issues 14/15/18 (a clean-clone `.ci/run` on the 2-core machine), or,
for rows that were new then, the figure the issue reported. Keyed by a short id each `report()` call passes.
The three memory rows (`rss_first_frame`, `live_peak`, `live_alone`) hold the figures measured on main after the
insights/fleet merge, before the profiling round of issue 18, item 1.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.25x (375 ms vs 299 ms)",
    "rss_first_frame": "1.53x (49.9 MiB)",
    "live_peak": "1.69x (55.4 MiB)",
    "live_alone": "1.61x (52.7 MiB)",
    "live_growth": "1.006x",
    "refresh_changed": "0.36x (4.72 ms vs 12.97 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.003x",
    "idle_overview": "3-9 KB/s (the issue)",
    "idle_calls": "38 KB/s (the issue)",
    "key_latency": "~0.1 s median, ~0.9 s worst (the issue, 200-event Logs merge)",
    "filter_removal": "quadratic (remove_row per row; not measured)",
    "validate_number": "25 µs",
    "validate_ssml": "55 µs",
    "validate_form": "98 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.19x (20.8 ms vs 111.3 ms)",
    "mp3_decode": "0.18x (22.3 ms vs 124.9 ms)",
    "audio_key": "1.1 ms (25.8 ms first)",
    "watch_cpu": "1.05 %",
    "watch_rss": "1.47x (33.9 MiB; the issue)",
    "watch_growth": "1.001x",
}
