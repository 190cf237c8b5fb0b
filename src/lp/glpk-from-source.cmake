# glpk-from-source.cmake -- build GLPK 5.0 as a static library from its C
# sources (used for the Emscripten/WebAssembly build; native builds normally
# use Debian's libglpk-dev instead).
#
# Input:  GLPK_SOURCE_DIR  -> extracted upstream tree, e.g. <repo>/.deps/glpk-5.0
#                             (populated by .ci/fetch-glpk-source)
# Output: static library target `glpk_from_source` (alias glpk::from_source);
#         its PUBLIC include directory contains only glpk.h.
#
# Configuration (GLPK's configure/config.h is not used; HAVE_CONFIG_H is left
# undefined): no ODBC/MySQL table drivers, no dlopen/ltdl, no GMP (GLPK's own
# mini-GMP is used), no TLS (single GLPK environment per process/instance).
# The embedded zlib (symbols prefixed _glp_zlib_) is kept because env/stream.c
# requires it.

include_guard(GLOBAL)

if(TARGET glpk_from_source)
  return()
endif()

if(NOT GLPK_SOURCE_DIR)
  message(FATAL_ERROR "glpk-from-source.cmake: set GLPK_SOURCE_DIR (e.g. <repo>/.deps/glpk-5.0; run .ci/fetch-glpk-source)")
endif()
get_filename_component(GLPK_SOURCE_DIR "${GLPK_SOURCE_DIR}" ABSOLUTE)
if(NOT EXISTS "${GLPK_SOURCE_DIR}/src/glpk.h")
  message(FATAL_ERROR "glpk-from-source.cmake: ${GLPK_SOURCE_DIR}/src/glpk.h not found; run .ci/fetch-glpk-source")
endif()

# GLPK is C; make sure C is enabled even in a CXX-only project.
get_property(_glpk_langs GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST _glpk_langs)
  enable_language(C)
endif()
unset(_glpk_langs)

set(_glpk_src "${GLPK_SOURCE_DIR}/src")
file(GLOB _glpk_sources CONFIGURE_DEPENDS "${_glpk_src}/*/*.c")
# proxy/main.c is a stand-alone test program, not part of libglpk.
list(FILTER _glpk_sources EXCLUDE REGEX "/src/proxy/main\\.c$")
list(LENGTH _glpk_sources _glpk_count)
if(_glpk_count LESS 150)
  message(FATAL_ERROR "glpk-from-source.cmake: only ${_glpk_count} C files found under ${_glpk_src}")
endif()

add_library(glpk_from_source STATIC ${_glpk_sources})
add_library(glpk::from_source ALIAS glpk_from_source)

# Expose only glpk.h publicly (the internal headers include names such as
# zlib.h/env.h that must not shadow anything in consumers).
set(_glpk_pubinc "${CMAKE_CURRENT_BINARY_DIR}/glpk_from_source/include")
configure_file("${_glpk_src}/glpk.h" "${_glpk_pubinc}/glpk.h" COPYONLY)
target_include_directories(glpk_from_source PUBLIC "$<BUILD_INTERFACE:${_glpk_pubinc}>")

set(_glpk_private_inc "${_glpk_src}")
foreach(_d amd api bflib colamd draft env intopt minisat misc mpl npp proxy simplex zlib)
  list(APPEND _glpk_private_inc "${_glpk_src}/${_d}")
endforeach()
target_include_directories(glpk_from_source PRIVATE ${_glpk_private_inc})

# What configure would otherwise put in config.h.  Only the POSIX timer is
# enabled (env/time.c tests these macros directly); everything else stays off.
if(NOT WIN32)
  target_compile_definitions(glpk_from_source PRIVATE HAVE_SYS_TIME_H HAVE_GETTIMEOFDAY)
endif()

set_target_properties(glpk_from_source PROPERTIES
  C_STANDARD 99
  C_EXTENSIONS ON
  POSITION_INDEPENDENT_CODE ON
  OUTPUT_NAME glpk_from_source)

# GLPK's sources are old-style C; silence their warnings for this target only.
if(MSVC)
  target_compile_options(glpk_from_source PRIVATE /w)
else()
  target_compile_options(glpk_from_source PRIVATE -w)
endif()

# GLPK's error messages include __FILE__; strip the absolute checkout path so
# the binary does not embed it (message becomes "... in file glpk/api/prob1.c").
if(CMAKE_C_COMPILER_ID MATCHES "Clang|GNU")
  target_compile_options(glpk_from_source PRIVATE
    "-fmacro-prefix-map=${_glpk_src}/=glpk/")
endif()

# libm for native (gcc) builds; harmless elsewhere.
if(UNIX AND NOT EMSCRIPTEN AND NOT APPLE)
  target_link_libraries(glpk_from_source PUBLIC m)
endif()

unset(_glpk_src)
unset(_glpk_sources)
unset(_glpk_count)
unset(_glpk_pubinc)
unset(_glpk_private_inc)
unset(_d)
