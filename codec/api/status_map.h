// The C API's status codes (vaec.h) for the codec core's Status (common/status.h).
#pragma once

#include "common/status.h"

namespace vaec::api {

int to_vaec_status(const Status& st);

}  // namespace vaec::api
