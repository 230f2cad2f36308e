"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 22: a clean-clone `.ci/run` on the 2-core
machine, the round that forked the command-line runs and styled each screen once on first opening). Keyed by a
short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.19x (266 ms vs 258 ms)",
    "first_frame_neighbour": "1.11x (227 ms vs 191 ms)",
    "rss_first_frame": "1.51x (49.5 MiB)",
    "live_peak": "1.70x (55.7 MiB)",
    "live_alone": "1.62x (52.8 MiB)",
    "live_growth": "1.005x",
    "refresh_changed": "0.40x (4.73 ms vs 11.81 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.008x",
    "idle_overview": "41 B/s",
    "idle_calls": "624 B/s",
    "key_latency": "2.8 ms / 178 ms (p99 4.31x the idle presses)",
    "filter_removal": "0.63x (1.19 ms vs 1.88 ms)",
    "validate_number": "14 µs",
    "validate_ssml": "27 µs",
    "validate_form": "48 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.19x (22.7 ms vs 121.6 ms)",
    "mp3_decode": "0.23x (20.1 ms vs 89.4 ms)",
    "audio_key": "0.8 ms (26.4 ms first)",
    "history_remembered": "0.16 ms (0.024x)",
    "history_first_poll": "2.57 ms (0.39x)",
    "insights_sql": "74 ms (0.018x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "1.02 %",
    "watch_rss": "1.43x (32.7 MiB)",
    "watch_growth": "1.001x",
}
