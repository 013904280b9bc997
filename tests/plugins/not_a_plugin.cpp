// A shared module without the plugin entry points.
extern "C" int some_function() { return 1; }
