// The C boundary to OpenBLAS: nothing here but the include.
#include <cblas.h>
