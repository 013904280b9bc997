// Preloaded by scripts/test.sh --sanitize: dlclose does nothing, so that LeakSanitizer, which
// looks at the leaks when the process ends, can still name the shared objects they come from
// (Open MPI unloads its components at MPI_Finalize; tests/sanitizers/lsan.supp names them).
extern "C" int dlclose(void*) { return 0; }
