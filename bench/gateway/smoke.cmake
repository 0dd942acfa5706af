# ctest bench_gateway_smoke: two short runs, unary calls and one Calls stream (--api calls);
# each passes on exit code 0 with its table printed.
function(run_bench expect)
  execute_process(
    COMMAND ${BENCH} --duration 1 --warmup 0 --payload 64 ${ARGN}
    RESULT_VARIABLE code
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err
    TIMEOUT 50)
  message("${out}")
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "bench_gateway ${ARGN} exited with ${code}\nstderr:\n${err}")
  endif()
  if(NOT out MATCHES "payload +callers +rmb p50 us" OR NOT out MATCHES "${expect}")
    message(FATAL_ERROR "bench_gateway ${ARGN} printed no table header or not '${expect}'\nstderr:\n${err}")
  endif()
endfunction()

run_bench("a unary Gateway.Call per call" --concurrency 1)
run_bench("one Gateway.Calls stream" --concurrency 4 --api calls)
