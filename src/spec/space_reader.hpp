#pragma once
// Reads the spec's "space" object into a space::Space (private to the spec module).
#include <optional>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::spec {

// Reads the object at `path`; nullopt when it has a problem (all of them are reported).
std::optional<space::Space> read_space(const Json& space_json, const std::string& path, config::Problems& problems);

}  // namespace hpopt::spec
