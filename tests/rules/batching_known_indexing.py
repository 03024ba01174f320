"""Strict-xfail vmap checks (indexing, sorting, reductions, masks and building) that do not agree with a loop yet;
see batching_known.py. Remove an entry when its batching is fixed."""

KNOWN_INDEXING = {
    'test_nested_vmap_matches_a_double_loop[concatenate-block-mixed-ndim-3-2x3]',
    'test_vmap_matches_a_loop[concatenate-block-mixed-ndim-3-2x3]',
    'test_vmap_matches_a_loop[concatenate-pad-constant-traced-value-3-scalar]',
    'test_vmap_matches_a_loop[concatenate-pad-linear_ramp-traced-end-3-scalar]',
    'test_vmap_matches_a_loop[getitem-trim_zeros-4]',
    'test_vmap_matches_a_loop[index_update-geomspace-scalar-scalar]',
    'test_vmap_matches_a_loop[index_update-piecewise-5]',
    'test_vmap_matches_a_loop[index_update-piecewise-otherwise-5]',
    'test_vmap_matches_a_loop[where-nan_to_num-4]',
    'test_vmap_matches_a_loop[where-nan_to_num-options-2x2]',
    'test_vmap_matches_a_loop[where-select-6]',
    'test_vmap_matches_a_loop[where-select-traced-default-2x3-3]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[concatenate-block-2x2-2x2]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[concatenate-pad-constant-traced-value-3-scalar]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[concatenate-pad-linear_ramp-traced-end-3-scalar]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-piecewise-otherwise-5]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-iadd-mask-2x3-4]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[index_update-setitem-slice-broadcast-4x2-scalar]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[logsumexp-return_sign-negative-4]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[where-nan_to_num-options-2x2]',
    'test_vmap_on_the_last_axis_and_with_a_shared_argument[where-select-traced-default-2x3-3]',
}
