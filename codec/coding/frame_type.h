// How a frame is coded: on its own (a seek point) or predicted from the previous frame.
#pragma once

namespace vaec::coding {

enum class FrameType { kIntra, kInter };

}  // namespace vaec::coding
