/* Nothing: the layer under test is linked in whole (tests/layers/tests.cmake). */
