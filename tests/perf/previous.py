"""The previous figure of every benchmark row, printed beside the new one.

From the README's performance table of the last landed run (stop 28: a clean-clone `.ci/run` on the 2-core
machine). Keyed by a short id each `report()` call passes.
"""

PREVIOUS: dict[str, str] = {
    "first_frame": "1.18x (233 ms vs 190 ms)",
    "first_frame_neighbour": "1.14x (201 ms vs 178 ms)",
    "rss_first_frame": "1.27x (41.7 MiB)",
    "live_peak": "1.45x (47.6 MiB)",
    "live_alone": "1.37x (44.9 MiB)",
    "live_growth": "1.015x",
    "refresh_changed": "0.40x (2.82 ms vs 7.02 ms)",
    "refresh_unchanged": "0 mutations",
    "refresh_blocks": "1.005x",
    "idle_overview": "41 B/s",
    "idle_calls": "603 B/s",
    "key_latency": "3.4 ms / 53.6 ms",
    "key_latency_callback": "1.9 ms / 53.6 ms",
    "filter_removal": "0.64x (1.10 ms vs 1.73 ms)",
    "validate_number": "13 µs",
    "validate_ssml": "24 µs",
    "validate_form": "45 µs",
    "first_probe": "11.9 ms",
    "hold_render": "0.18x (14.3 ms vs 80.4 ms)",
    "mp3_decode": "0.20x (16.7 ms vs 85.4 ms)",
    "audio_key": "0.7 ms (18.9 ms first)",
    "history_remembered": "0.16 ms (0.025x)",
    "history_first_poll": "2.48 ms (0.40x)",
    "insights_sql": "63 ms (0.018x)",
    "history_file": "36.6 MB (0.52x)",
    "watch_cpu": "0.32 %",
    "watch_rss": "1.24x (28.6 MiB)",
    "watch_growth": "1.001x",
}
