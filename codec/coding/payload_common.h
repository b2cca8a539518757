// What every frame payload (I, P, refinement) shares: the 64 Gaussian tables, rANS
// sub-streams, and the optional refinement sub-stream that may end a frame payload.
#pragma once

#include <cstdint>
#include <vector>

#include "bitstream/substreams.h"
#include "coding/refinement.h"
#include "common/status.h"
#include "entropy/cdf_table.h"

namespace vaec::coding {

// The 64 Gaussian tables y, P-frame residuals and refinement levels are coded with (built
// once per process; identical everywhere by construction, entropy/gaussian_tables.h).
const entropy::CdfTableSet& gaussian_tables();

// Appends substream(rANS of values with tables[indices]) to payload, with `lanes` rANS lanes
// (0: entropy::rans_lanes of the symbol count, what most payloads use).
void append_rans(const entropy::CdfTableSet& tables, const std::vector<int32_t>& values,
                 const std::vector<int32_t>& indices, std::vector<uint8_t>* payload, int lanes = 0);

// After a payload's mandatory sub-streams: takes the optional refinement one (when allowed,
// i.e. `refinement` is not null) and refuses anything more.
Status take_refinement(bitstream::SubstreamReader* streams, RefinementBytes* refinement);

}  // namespace vaec::coding
