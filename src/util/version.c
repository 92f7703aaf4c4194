/* The library's version, as the headers it was built with say. */
#include "lucidtcp/version.h"

const char *ltcp_version(void) { return LTCP_VERSION_STRING; }
