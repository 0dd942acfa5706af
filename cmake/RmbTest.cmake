# rmb_test(NAME name LABEL unit|integration|interop SOURCES ... [LIBS ...])
# One GoogleTest executable registered with ctest under a label, so that
# `ctest -L unit` runs the fast in-process tests apart from the process-level ones.
find_package(GTest REQUIRED)
# `cmake --build ... --target unit_tests` builds only what `ctest -L unit` runs (the
# sanitizer pass of scripts/test.sh needs nothing else).
add_custom_target(unit_tests)
function(rmb_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  # One translation unit per test executable: its files share the same heavy headers
  # (GoogleTest, gRPC, Asio), which are then parsed and instantiated once, not once a file.
  # Seven test executables took 161 s of compiler CPU file by file and 80 s so. The files of
  # one executable therefore share one namespace: what two of them need is written once
  # (e.g. tests/tools/rmb_cli.h), and file-local helpers have distinct names.
  set_target_properties(${T_NAME} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(T_LABEL STREQUAL "unit")
    add_dependencies(unit_tests ${T_NAME})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "RMB_BUILD_DIR=${CMAKE_BINARY_DIR};RMB_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
