// A custom op of our own (not monolith code) that CI builds the way monolith's kernels are built:
// ParityScaleAdd(x, scale) = x * scale + 1 on float32, and ParityNoKernel, registered here but whose
// only kernel lives in parity_broken_kernel.cc (which does not compile).  The shape functions use the
// pre-2.10 spelling of the OK status on purpose, so the build's compatibility patch is exercised.
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"

namespace parity_test {

using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Status;
using ::tensorflow::Tensor;

REGISTER_OP("ParityScaleAdd")
    .Input("x: float")
    .Output("y: float")
    .Attr("scale: float")
    .SetShapeFn([](::tensorflow::shape_inference::InferenceContext* c) {
      c->set_output(0, c->input(0));
      return Status::OK();
    });

REGISTER_OP("ParityNoKernel")
    .Input("x: float")
    .Output("y: float")
    .SetShapeFn([](::tensorflow::shape_inference::InferenceContext* c) {
      c->set_output(0, c->input(0));
      return Status::OK();
    });

class ParityScaleAddOp : public OpKernel {
 public:
  explicit ParityScaleAddOp(OpKernelConstruction* ctx) : OpKernel(ctx) {
    OP_REQUIRES_OK(ctx, ctx->GetAttr("scale", &scale_));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    Tensor* output = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, input.shape(), &output));
    auto in = input.flat<float>();
    auto out = output->flat<float>();
    for (int64_t i = 0; i < in.size(); ++i) out(i) = in(i) * scale_ + 1.0f;
  }

 private:
  float scale_;
};

REGISTER_KERNEL_BUILDER(Name("ParityScaleAdd").Device(::tensorflow::DEVICE_CPU), ParityScaleAddOp);

}  // namespace parity_test
