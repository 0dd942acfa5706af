# rmb_test(NAME name LABEL unit|integration|interop SOURCES ... [LIBS ...])
# One GoogleTest executable registered with ctest under a label, so that
# `ctest -L unit` runs the fast in-process tests apart from the process-level ones.
find_package(GTest REQUIRED)
function(rmb_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "RMB_BUILD_DIR=${CMAKE_BINARY_DIR};RMB_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
