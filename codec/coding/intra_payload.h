// I-frames, what encoder and decoder share (coding/enc_intra.h codes, coding/dec_intra.h
// parses): how the model's integer latents become bytes.
//
//   payload = quality (1 byte, 1..100; bit 7 set: an update follows, bitstream 5.x)
//             [· substream(synthesis update), coding/synthesis_update_payload.h]
//             · substream(z rANS) · substream(y rANS)
//             [· substream(refinement), bitstream 2.x: coding/refinement.h]
//
// A synthesis update changes the integer synthesis of this I-frame and of every latent
// picture of its GOP (Reference::synthesis); an I-frame without one goes back to the model's.
//
// z is coded with its channel's factorized table; y's tables come from the integer
// hyper-synthesis run on the decoded z, so encoder and decoder select them identically.
#pragma once

#include <cstdint>
#include <vector>

#include "coding/reference.h"
#include "model/decoding.h"

namespace vaec::coding {

// Bit 7 of an I-frame payload's first byte: a synthesis update sub-stream follows it.
constexpr uint8_t kSynthesisUpdateFlag = 0x80;

// Puts the synthesis update sub-stream `update` into an I-frame payload that has none.
void insert_synthesis_update(const std::vector<uint8_t>& update, std::vector<uint8_t>* payload);

// The bytes the synthesis update takes in an I-frame payload (its sub-stream, length
// included); 0 without one.
size_t synthesis_update_size(const std::vector<uint8_t>& payload);

// The table of every z element: element (c, y, x) is coded with table c.
std::vector<int32_t> z_table_indices(const model::LatentShape& z_shape);

// The reference an I-frame leaves: its exact latents and their Gaussian tables (the GOP's
// anchor for P-frame and refinement contexts).
void set_intra_reference(int quality, const model::LatentShape& shape, const std::vector<int32_t>& y,
                         const model::HyperParams& params, std::vector<int32_t> scale_index, Reference* ref);

}  // namespace vaec::coding
