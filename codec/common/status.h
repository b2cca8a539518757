// A small status type for the codec core (libjxl style, docs/architecture.md "The rules of the house"): functions return
// Status, callers propagate with VAEC_RETURN_IF_ERROR. Messages are static strings so that
// reporting an error never allocates; the C API maps codes to its negative status values.
#pragma once

namespace vaec {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // the caller broke a documented precondition
  kCorruptData,      // input bytes are malformed (bad field, impossible value, desync)
  kTruncated,        // input ended before a complete unit
  kChecksumMismatch, // a checksum did not match its data
  kLimitExceeded,    // a field is syntactically valid but beyond our limits
  kUnsupported,      // e.g. a newer major bitstream version
  kEndOfStream,      // no more data; not an error for streaming readers
  kIoError,          // a read/write callback failed
};

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  constexpr Status(StatusCode code, const char* message) : code_(code), message_(message) {}

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  // Never null; a static string.
  constexpr const char* message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  const char* message_ = "ok";
};

constexpr Status OkStatus() { return Status(); }

}  // namespace vaec

#define VAEC_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::vaec::Status vaec_status_ = (expr);   \
    if (!vaec_status_.ok()) return vaec_status_; \
  } while (0)
