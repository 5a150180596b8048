"""Data generators for the demo clinic (seed_demo) and the large practice of the benchmark
(seed_scale). They write through the domain's services where a real clinic would, so their data
obeys the same rules; nothing here is imported by the application itself."""
