"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 27: a clean-clone `.ci/run` on the 2-core
machine, the round that measured the full 10 minutes of live refresh). Keyed by a short id each `report()`
call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.14x (228 ms vs 204 ms)",
    "first_frame_neighbour": "1.15x (224 ms vs 194 ms)",
    "rss_first_frame": "1.47x (48.1 MiB)",
    "live_peak": "1.67x (54.6 MiB)",
    "live_alone": "1.58x (51.6 MiB)",
    "live_growth": "1.016x",
    "refresh_changed": "0.42x (2.83 ms vs 6.81 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.005x",
    "idle_overview": "41 B/s",
    "idle_calls": "631 B/s",
    "key_latency": "6.6 ms / 47.2 ms",
    "key_latency_callback": "2.6 ms / 40.5 ms",
    "filter_removal": "0.64x (1.16 ms vs 1.81 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "25 µs",
    "validate_form": "45 µs",
    "first_probe": "13.5 ms",
    "hold_render": "0.19x (14.7 ms vs 79.1 ms)",
    "mp3_decode": "0.19x (16.5 ms vs 88.1 ms)",
    "audio_key": "0.7 ms (20.0 ms first)",
    "history_remembered": "0.29 ms (0.043x)",
    "history_first_poll": "2.71 ms (0.40x)",
    "insights_sql": "66 ms (0.018x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.87 %",
    "watch_rss": "1.43x (32.8 MiB)",
    "watch_growth": "1.002x",
}
