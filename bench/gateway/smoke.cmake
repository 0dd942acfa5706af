# ctest bench_gateway_smoke: one short run; passes on exit code 0 with the table printed.
execute_process(
  COMMAND ${BENCH} --duration 1 --warmup 0 --concurrency 1 --payload 64
  RESULT_VARIABLE code
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT 50)
message("${out}")
if(NOT code EQUAL 0)
  message(FATAL_ERROR "bench_gateway exited with ${code}\nstderr:\n${err}")
endif()
if(NOT out MATCHES "payload +callers +rmb p50 us")
  message(FATAL_ERROR "bench_gateway printed no table header\nstderr:\n${err}")
endif()

# The same through one Gateway.Calls stream (--api calls).
execute_process(
  COMMAND ${BENCH} --duration 1 --warmup 0 --concurrency 4 --payload 64 --api calls
  RESULT_VARIABLE code
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT 50)
message("${out}")
if(NOT code EQUAL 0)
  message(FATAL_ERROR "bench_gateway --api calls exited with ${code}\nstderr:\n${err}")
endif()
if(NOT out MATCHES "one Gateway.Calls stream")
  message(FATAL_ERROR "bench_gateway --api calls did not say it used the stream\nstderr:\n${err}")
endif()
