// Joins .vae streams that are consecutive segments of one video into one stream
// (docs/bitstream.md §4.1; docs/scale-out.md). Payloads are copied unchanged, so the joined
// stream decodes to exactly the pictures of its parts: every part starts with an I frame, and
// nothing a decoder keeps crosses an I frame.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bitstream/byte_stream.h"
#include "common/status.h"

namespace vaec::bitstream {

struct ConcatResult {
  Status status;             // kOk, or the kind of failure
  std::string message;       // the failure in words ("" when ok)
  int failed_part = -1;      // index of the part at fault; -1 when none is (or the output is)
  uint64_t frames = 0;       // frames written
  uint64_t first_frame = 0;  // the joined stream's first source frame (the first part's)
};

// Reads each part whole (every record's checksum, the stream rules, its index) while writing
// its frames, renumbered, to `sink`; then writes the rebuilt index and footer. Parts must
// share model, size, pixel format, frame rate, quality setting, GOP and this writer's major
// version, and their recorded source frame ranges must follow each other without gap or
// overlap. On failure `sink` holds a partial stream: the caller discards it.
ConcatResult concat_streams(const std::vector<ByteSource*>& parts, ByteSink* sink);

}  // namespace vaec::bitstream
