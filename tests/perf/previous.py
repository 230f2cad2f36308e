"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 24: a clean-clone `.ci/run` on the 2-core
machine, the round that drew table cells without Rich's general machinery and decoded big answers member by
member). Keyed by a short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.09x (224 ms vs 209 ms)",
    "first_frame_neighbour": "1.11x (241 ms vs 209 ms)",
    "rss_first_frame": "1.47x (48.1 MiB)",
    "live_peak": "1.66x (54.3 MiB)",
    "live_alone": "1.57x (51.4 MiB)",
    "live_growth": "1.013x",
    "refresh_changed": "0.40x (2.78 ms vs 6.89 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.005x",
    "idle_overview": "41 B/s",
    "idle_calls": "631 B/s",
    "key_latency": "3.8 ms / 84.0 ms (p99 4.39x the idle presses)",
    "filter_removal": "0.58x (1.00 ms vs 1.74 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "25 µs",
    "validate_form": "46 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.18x (14.4 ms vs 80.4 ms)",
    "mp3_decode": "0.19x (16.2 ms vs 84.3 ms)",
    "audio_key": "0.6 ms (19.5 ms first)",
    "history_remembered": "0.16 ms (0.025x)",
    "history_first_poll": "2.50 ms (0.39x)",
    "insights_sql": "64 ms (0.020x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.80 %",
    "watch_rss": "1.43x (32.9 MiB)",
    "watch_growth": "1.001x",
}
