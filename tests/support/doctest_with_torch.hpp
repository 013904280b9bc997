#pragma once
// For test files that include torch: torch brings glog, whose CHECK macros would silently take
// the place of doctest's (a failing glog CHECK aborts, a passing one counts nothing). Include
// this after every torch header.
#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LE
#undef CHECK_LT
#undef CHECK_GE
#undef CHECK_GT
#include <doctest/doctest.h>
