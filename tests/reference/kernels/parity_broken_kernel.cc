// Deliberately broken (the tests prove a kernel that does not compile becomes "reference unavailable"
// with the compiler's first error line).  The error comes before any include, so it fails fast.
this_is_not_cpp parity_broken_kernel;

#include "tensorflow/core/framework/op_kernel.h"

REGISTER_KERNEL_BUILDER(Name("ParityNoKernel").Device(::tensorflow::DEVICE_CPU), ParityNoKernelOp);
