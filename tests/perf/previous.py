"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 25: a clean-clone `.ci/run` on the 2-core
machine, the round that let other ready work run between a table's slices). Its key-latency figure was timed to a
callback, not to the frame (see tests/perf/test_key_latency.py), on a round that emptied Logs first. Keyed by a short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.12x (220 ms vs 192 ms)",
    "first_frame_neighbour": "1.13x (211 ms vs 188 ms)",
    "rss_first_frame": "1.47x (48.2 MiB)",
    "live_peak": "1.66x (54.6 MiB)",
    "live_alone": "1.57x (51.4 MiB)",
    "live_growth": "1.013x",
    "refresh_changed": "0.40x (2.62 ms vs 6.58 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.004x",
    "idle_overview": "41 B/s",
    "idle_calls": "631 B/s",
    "key_latency": "2.3 ms / 53.1 ms (to a callback, Logs emptied first)",
    "filter_removal": "0.67x (0.87 ms vs 1.29 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "24 µs",
    "validate_form": "46 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.18x (14.9 ms vs 81.5 ms)",
    "mp3_decode": "0.18x (16.5 ms vs 89.6 ms)",
    "audio_key": "0.9 ms (17.8 ms first)",
    "history_remembered": "0.14 ms (0.022x)",
    "history_first_poll": "2.41 ms (0.39x)",
    "insights_sql": "67 ms (0.019x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.92 %",
    "watch_rss": "1.43x (32.8 MiB)",
    "watch_growth": "1.001x",
}
