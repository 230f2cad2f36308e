"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 23: a clean-clone `.ci/run` on the 2-core
machine, the round that fixed a Textual cache leak and made a drawn line's caches on first use). Keyed by a
short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.13x (218 ms vs 192 ms)",
    "first_frame_neighbour": "1.15x (196 ms vs 170 ms)",
    "rss_first_frame": "1.47x (48.2 MiB)",
    "live_peak": "1.66x (54.4 MiB)",
    "live_alone": "1.57x (51.3 MiB)",
    "live_growth": "1.011x",
    "refresh_changed": "0.40x (2.59 ms vs 6.41 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.004x",
    "idle_overview": "41 B/s",
    "idle_calls": "631 B/s",
    "key_latency": "2.7 ms / 88.1 ms (p99 4.93x the idle presses)",
    "filter_removal": "0.58x (0.77 ms vs 1.33 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "23 µs",
    "validate_form": "45 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.18x (13.5 ms vs 75.0 ms)",
    "mp3_decode": "0.20x (16.1 ms vs 82.2 ms)",
    "audio_key": "0.6 ms (16.2 ms first)",
    "history_remembered": "0.14 ms (0.022x)",
    "history_first_poll": "2.47 ms (0.40x)",
    "insights_sql": "64 ms (0.019x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.65 %",
    "watch_rss": "1.43x (32.8 MiB)",
    "watch_growth": "1.001x",
}
