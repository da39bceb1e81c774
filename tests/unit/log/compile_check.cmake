# Compiles one file against daemon/log/log.hpp and checks the outcome (the event id lint tests).
#   cmake -DCXX=<compiler> -DSOURCE_DIR=<repo> -DGENERATED_DIR=<build>/generated
#         -DFILE=<file.cpp> -DEXPECT=pass|fail -P compile_check.cmake
# With EXPECT=fail the compiler must refuse the file because of the planted id, not because of
# anything else: its output must name the id and the check that refused it.
execute_process(
  COMMAND ${CXX} -std=c++20 -fsyntax-only -I${SOURCE_DIR} -I${GENERATED_DIR} ${FILE}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(EXPECT STREQUAL "pass")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FILE} should compile:\n${out}")
  endif()
  message(STATUS "${FILE} compiles")
else()
  if(rc EQUAL 0)
    message(FATAL_ERROR "${FILE} compiled, but it logs an event id that docs/events.md lacks")
  endif()
  if(NOT out MATCHES "event_id_not_in_docs_events_md" OR NOT out MATCHES "NO_SUCH_EVENT_PLANTED")
    message(FATAL_ERROR "${FILE} failed to compile for another reason:\n${out}")
  endif()
  message(STATUS "${FILE} is refused: NO_SUCH_EVENT_PLANTED is not in docs/events.md")
endif()
