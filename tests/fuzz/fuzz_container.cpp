// libFuzzer target: the .vae container reader on arbitrary bytes (streaming read going on past
// damaged records, then the footer index and seeking). Must end in a status, never crash, hang or over-allocate.
#include <cstddef>
#include <cstdint>

#include "bitstream/dec_container.h"

using namespace vaec;
using namespace vaec::bitstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemorySource src(data, size);
  ContainerReader reader(&src);
  StreamHeader header;
  if (!reader.read_header(&header).ok()) return 0;
  Packet packet;
  size_t frames = 0, losses = 0;
  for (;;) {  // going on after every damaged record the reader can resume from
    const Status st = reader.read_packet(&packet);
    if (st.ok()) {
      ++frames;
      continue;
    }
    if (st.code() == StatusCode::kEndOfStream || reader.failed()) break;
    if (++losses > size) __builtin_trap();  // each loss must move forward: no endless resuming
  }

  MemorySource src2(data, size);
  ContainerReader seeker(&src2);
  if (!seeker.read_header(&header).ok()) __builtin_trap();  // same bytes, same answer
  StreamIndex index;
  if (!seeker.load_index(&index).ok()) return 0;
  for (const IndexEntry& e : index.entries) {
    if (!seeker.seek_to(e).ok()) break;
    if (seeker.read_packet(&packet).ok() && packet.display_index != e.display_index &&
        reader.has_index() && !reader.lost_records())
      __builtin_trap();  // an index matched against every frame must point at its frames
  }
  (void)frames;
  return 0;
}
