// A C ABI over monolith's hash-table optimizers and float compressors (our code, not monolith's): the
// reference side calls monolith's own C++ through ctypes with serialized config protos and float arrays.
//
//   optimizer: config bytes (OptimizerConfig) -> handle; init a slot context; one Optimize step on an
//              embedding with a gradient and learning rates; the state as OptimizerDump bytes.
//   compressor: config bytes (FloatCompressorConfig) -> handle; Encode floats -> bytes; Decode back.
//
// Errors (a config that does not parse, an optimizer the factory rejects with an exception) are returned
// as a message in the caller's buffer; a monolith CHECK failure aborts the process, so callers run this in
// an isolated worker.
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "absl/types/span.h"
#include "monolith/native_training/runtime/hash_table/compressor/float_compressor.h"
#include "monolith/native_training/runtime/hash_table/optimizer/optimizer_factory.h"

namespace {

using monolith::hash_table::FloatCompressorConfig;
using monolith::hash_table::FloatCompressorInterface;
using monolith::hash_table::OptimizerConfig;
using monolith::hash_table::OptimizerDump;
using monolith::hash_table::OptimizerInterface;

void SetError(char* error, int64_t capacity, const std::string& message) {
  if (error == nullptr || capacity <= 0) return;
  const size_t n = std::min<size_t>(message.size(), static_cast<size_t>(capacity - 1));
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

int64_t CopyOut(const std::string& bytes, char* out, int64_t capacity) {
  if (out != nullptr && capacity >= static_cast<int64_t>(bytes.size())) {
    std::memcpy(out, bytes.data(), bytes.size());
  }
  return static_cast<int64_t>(bytes.size());
}

}  // namespace

extern "C" {

void* parity_optimizer_new(const char* config, int64_t length, char* error, int64_t capacity) {
  OptimizerConfig parsed;
  if (!parsed.ParseFromArray(config, static_cast<int>(length))) {
    SetError(error, capacity, "OptimizerConfig bytes do not parse");
    return nullptr;
  }
  try {
    std::unique_ptr<OptimizerInterface> optimizer = monolith::hash_table::NewOptimizerFromConfig(parsed);
    if (!optimizer) {
      SetError(error, capacity, "NewOptimizerFromConfig returned no optimizer for " + parsed.ShortDebugString());
      return nullptr;
    }
    return optimizer.release();
  } catch (const std::exception& e) {
    SetError(error, capacity, e.what());
    return nullptr;
  }
}

void parity_optimizer_free(void* optimizer) { delete static_cast<OptimizerInterface*>(optimizer); }

int32_t parity_optimizer_dim_size(const void* optimizer) {
  return static_cast<const OptimizerInterface*>(optimizer)->DimSize();
}

int32_t parity_optimizer_slice_size(const void* optimizer) {
  return static_cast<const OptimizerInterface*>(optimizer)->SliceSize();
}

int64_t parity_optimizer_size_bytes(const void* optimizer) {
  return static_cast<const OptimizerInterface*>(optimizer)->SizeBytes();
}

void parity_optimizer_init(const void* optimizer, void* ctx) {
  static_cast<const OptimizerInterface*>(optimizer)->Init(ctx);
}

void parity_optimizer_optimize(const void* optimizer, void* ctx, float* num, int64_t num_size, const float* grad,
                               int64_t grad_size, const float* learning_rates, int64_t lr_size, int64_t global_step) {
  static_cast<const OptimizerInterface*>(optimizer)->Optimize(
      ctx, absl::MakeSpan(num, num_size), absl::MakeConstSpan(grad, grad_size),
      absl::MakeConstSpan(learning_rates, lr_size), global_step);
}

// The slot state as OptimizerDump bytes; returns the size (writes only when it fits in `capacity`).
int64_t parity_optimizer_save(const void* optimizer, const void* ctx, char* out, int64_t capacity) {
  OptimizerDump dump = static_cast<const OptimizerInterface*>(optimizer)->Save(ctx);
  return CopyOut(dump.SerializeAsString(), out, capacity);
}

void* parity_compressor_new(const char* config, int64_t length, char* error, int64_t capacity) {
  FloatCompressorConfig parsed;
  if (!parsed.ParseFromArray(config, static_cast<int>(length))) {
    SetError(error, capacity, "FloatCompressorConfig bytes do not parse");
    return nullptr;
  }
  try {
    std::unique_ptr<FloatCompressorInterface> compressor = monolith::hash_table::NewFloatCompressor(parsed);
    if (!compressor) {
      SetError(error, capacity, "NewFloatCompressor returned no compressor for " + parsed.ShortDebugString());
      return nullptr;
    }
    return compressor.release();
  } catch (const std::exception& e) {
    SetError(error, capacity, e.what());
    return nullptr;
  }
}

void parity_compressor_free(void* compressor) { delete static_cast<FloatCompressorInterface*>(compressor); }

int64_t parity_compressor_size_bytes(const void* compressor) {
  return static_cast<const FloatCompressorInterface*>(compressor)->SizeBytes();
}

int32_t parity_compressor_dim_size(const void* compressor) {
  return static_cast<const FloatCompressorInterface*>(compressor)->DimSize();
}

void parity_compressor_encode(const void* compressor, const float* num, int64_t num_size, void* compressed) {
  static_cast<const FloatCompressorInterface*>(compressor)->Encode(absl::MakeConstSpan(num, num_size), compressed);
}

void parity_compressor_decode(const void* compressor, const void* compressed, float* num, int64_t num_size) {
  static_cast<const FloatCompressorInterface*>(compressor)->Decode(compressed, absl::MakeSpan(num, num_size));
}

}  // extern "C"
