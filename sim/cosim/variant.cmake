# qarray_rtl_variants(TARGET TRACE VCD|FST ON_DEMAND ON|OFF FILES file.json...): verilates
# rtl/array_datapath.v once per ArchConfig file into TARGET and generates the variant table
# (cosim_variants.cpp.in) for them. Used by sim/cosim/CMakeLists.txt for the compiled variants and
# by sim/cosim/ondemand/CMakeLists.txt for the one arch `qarray cosim` verilates on demand, so both
# get their parameters from the same generator (qarray_rtl_params, from the model's ArchConfig
# parser) and the same harness code.
#
# Needs QARRAY_SOURCE_DIR and QARRAY_RTL_PARAMS (the generator executable). A file named
# *_fault.json is the PE fault build, *_dpfault.json the accumulator / post-processing fault
# build (the QARRAY_COSIM_* fault locations below).
set(QARRAY_COSIM_FAULT_ROW 2)
set(QARRAY_COSIM_FAULT_COL 1)
set(QARRAY_COSIM_FAULT_BIT 3)
set(QARRAY_COSIM_FAULT_LANE 2)

# qarray_rtl_fault(NAME DEFINES_VAR ENTRY_VAR): the Verilator +define+ list of variant NAME's fault
# build (empty for none) and its fields in the variant table (RtlFault, row, col, lane, bit).
function(qarray_rtl_fault name defines_var entry_var)
  set(bit ${QARRAY_COSIM_FAULT_BIT})
  set(defines "")
  set(entry "RtlFault::None, -1, -1, -1, -1")
  if(name MATCHES "_fault$")
    set(defines +define+QARRAY_FAULT +define+QARRAY_FAULT_ROW=${QARRAY_COSIM_FAULT_ROW}
        +define+QARRAY_FAULT_COL=${QARRAY_COSIM_FAULT_COL} +define+QARRAY_FAULT_BIT=${bit})
    set(entry "RtlFault::Pe, ${QARRAY_COSIM_FAULT_ROW}, ${QARRAY_COSIM_FAULT_COL}, -1, ${bit}")
  elseif(name MATCHES "_dpfault$")
    set(defines +define+QARRAY_FAULT_ACC +define+QARRAY_FAULT_PP +define+QARRAY_FAULT_LANE=${QARRAY_COSIM_FAULT_LANE}
        +define+QARRAY_FAULT_BIT=${bit})
    set(entry "RtlFault::Datapath, -1, -1, ${QARRAY_COSIM_FAULT_LANE}, ${bit}")
  endif()
  set(${defines_var} ${defines} PARENT_SCOPE)
  set(${entry_var} ${entry} PARENT_SCOPE)
endfunction()

function(qarray_rtl_variants target)
  cmake_parse_arguments(ARG "" "TRACE;ON_DEMAND" "FILES" ${ARGN})
  if(ARG_TRACE STREQUAL "FST")
    set(trace_option TRACE_FST)
    set(trace_header verilated_fst_sc.h)
    set(trace_class VerilatedFstSc)
    set(trace_format fst)
  else()
    set(trace_option TRACE)
    set(trace_header verilated_vcd_sc.h)
    set(trace_class VerilatedVcdSc)
    set(trace_format vcd)
  endif()
  set(rtl ${QARRAY_SOURCE_DIR}/rtl)
  set(rtl_sources ${rtl}/array_datapath.v ${rtl}/systolic_array.v ${rtl}/pe.v ${rtl}/edge_skew.v
                  ${rtl}/accumulator.v ${rtl}/post_processing.v)
  set(table_includes "")
  set(table_entries "")
  foreach(file ${ARG_FILES})
    get_filename_component(name ${file} NAME_WE)
    foreach(mode verilator cxx)
      execute_process(COMMAND ${QARRAY_RTL_PARAMS} ${mode} ${file}
                      OUTPUT_VARIABLE params_${mode} ERROR_VARIABLE params_err RESULT_VARIABLE rc)
      if(rc)
        message(FATAL_ERROR "${params_err}")
      endif()
    endforeach()
    qarray_rtl_fault(${name} fault_args fault_entry)
    verilate(${target} SOURCES ${rtl_sources} PREFIX V${name} TOP_MODULE array_datapath SYSTEMC ${trace_option}
             VERILATOR_ARGS -Wall ${params_verilator} ${fault_args})
    string(APPEND table_includes "#include \"V${name}.h\"\n")
    string(APPEND table_entries "    entry<V${name}>(\"${name}\", \"${file}\", ${params_cxx}, ${fault_entry}),\n")
  endforeach()
  if(ARG_ON_DEMAND)
    set(on_demand true)
  else()
    set(on_demand false)
  endif()
  set(table ${CMAKE_CURRENT_BINARY_DIR}/cosim_variants.cpp)
  configure_file(${QARRAY_SOURCE_DIR}/sim/cosim/cosim_variants.cpp.in ${table} @ONLY)
  target_sources(${target} PRIVATE ${table})
  # Verilator's headers (and the code it generates) leave parameters unused.
  target_compile_options(${target} PRIVATE -Wno-unused-parameter)
  verilator_link_systemc(${target})
endfunction()
