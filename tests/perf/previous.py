"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 26: a clean-clone `.ci/run` on the 2-core
machine, the round that timed keys to the frame and drew frames when due). Keyed by a short id each `report()`
call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.07x (231 ms vs 203 ms)",
    "first_frame_neighbour": "1.16x (212 ms vs 187 ms)",
    "rss_first_frame": "1.48x (48.3 MiB)",
    "live_peak": "1.67x (54.6 MiB)",
    "live_alone": "1.57x (51.3 MiB)",
    "live_growth": "1.013x",
    "refresh_changed": "0.42x (2.77 ms vs 6.61 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.005x",
    "idle_overview": "41 B/s",
    "idle_calls": "620 B/s",
    "key_latency": "5.3 ms / 37.8 ms",
    "key_latency_callback": "2.4 ms / 37.6 ms",
    "filter_removal": "0.63x (1.41 ms vs 2.25 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "25 µs",
    "validate_form": "46 µs",
    "first_probe": "47.9 ms",
    "hold_render": "0.17x (15.8 ms vs 91.8 ms)",
    "mp3_decode": "0.16x (16.4 ms vs 104.4 ms)",
    "audio_key": "0.7 ms (22.6 ms first)",
    "history_remembered": "0.16 ms (0.024x)",
    "history_first_poll": "2.58 ms (0.39x)",
    "insights_sql": "71 ms (0.018x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.97 %",
    "watch_rss": "1.43x (32.8 MiB)",
    "watch_growth": "1.001x",
}
