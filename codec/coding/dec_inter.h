// Decoder side of P-frame payloads (syntax: coding/inter_context.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "coding/reference.h"
#include "coding/refinement.h"
#include "common/status.h"

namespace vaec::coding {

// Decodes a P-frame payload on `*ref`, which it updates in place. An invalid reference or
// malformed data give an error status and leave *ref invalid (later P-frames fail too until
// the next I-frame), never undefined behaviour. `refinement` as in decode_intra_payload().
Status decode_inter_payload(const uint8_t* data, size_t size, Reference* ref, RefinementBytes* refinement = nullptr);

}  // namespace vaec::coding
