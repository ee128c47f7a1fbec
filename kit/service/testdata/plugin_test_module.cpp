// A module for plugin_test: one entry point, as the real modules have.
extern "C" __attribute__((visibility("default"))) int reservo_plugin_test_answer() { return 42; }
