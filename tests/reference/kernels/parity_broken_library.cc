// A library that does not compile at all: ParityBroken is registered, but the error comes first.
#include "tensorflow/core/framework/op.h"

this_is_not_cpp parity_broken_library;

REGISTER_OP("ParityBroken").Input("x: float").Output("y: float");
