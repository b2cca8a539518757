// Status codes of the public C API: vaec_status_str() and the mapping from the codec core's.
#include "api/status_map.h"
#include "vaec/vaec.h"

namespace vaec::api {

int to_vaec_status(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return VAEC_OK;
    case StatusCode::kInvalidArgument: return VAEC_EINVAL;
    case StatusCode::kCorruptData: return VAEC_EINVALIDDATA;
    case StatusCode::kTruncated: return VAEC_ETRUNCATED;
    case StatusCode::kChecksumMismatch: return VAEC_ECHECKSUM;
    case StatusCode::kLimitExceeded: return VAEC_ELIMIT;
    case StatusCode::kUnsupported: return VAEC_EUNSUPPORTED;
    case StatusCode::kEndOfStream: return VAEC_EOF;
    case StatusCode::kIoError: return VAEC_EIO;
  }
  return VAEC_EINTERNAL;
}

}  // namespace vaec::api

extern "C" const char* vaec_status_str(int status) {
  switch (status) {
    case VAEC_OK: return "success";
    case VAEC_EAGAIN: return "try again: send more input or drain output first";
    case VAEC_EOF: return "end of stream";
    case VAEC_EINVAL: return "invalid argument or call sequence";
    case VAEC_ENOMEM: return "out of memory";
    case VAEC_EINVALIDDATA: return "malformed bitstream";
    case VAEC_ECHECKSUM: return "checksum mismatch (corrupt data)";
    case VAEC_ETRUNCATED: return "truncated data";
    case VAEC_ELIMIT: return "value beyond the limits of this build";
    case VAEC_EUNSUPPORTED: return "not supported (stream version, format, or a feature this build lacks)";
    case VAEC_EMODEL: return "model missing, unreadable or not the stream's model";
    case VAEC_EIO: return "input/output error";
    case VAEC_EINTERNAL: return "internal error";
    default: return "unknown status";
  }
}
