// The walk behind `NodeList::new` (src/analysis/syntax.rs): every visible node under a root, in
// document order, with the links the list keeps, read straight from tree-sitter's subtrees.
//
// Why C against tree-sitter's own (private) headers: a `TreeCursor` step costs several hundred
// instructions (each `goto_next_sibling` rebuilds a child iterator and asks the language for
// the parent's alias sequence again), and walking every node of every file that way cost
// about as much as a sixth of parsing. This walk visits the same nodes, in the same order,
// with the same positions, aliases and ids the cursor gives (the ids are the addresses of the
// subtrees in their parents' child arrays, exactly what `ts_tree_cursor_current_node`
// returns). It is compiled against the headers of the tree-sitter crate being linked (the
// build script finds them through its `links` metadata), so the structures always match; the
// Rust tests compare it with the cursor node by node.

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tree_sitter/api.h"
#include "./language.h"
#include "./subtree.h"
#include "./tree.h"

// One listed node: the layout of `Entry` in syntax.rs (`#[repr(C)]`).
typedef struct {
  TSNode node;
  uint32_t end;
  uint32_t parent;
  uint32_t previous;
  uint32_t pre;
  uint16_t kind_id;
  // The field the node is in, as `ts_tree_cursor_current_field_id` gives it (0 for none).
  uint16_t field;
  bool closed;
} FmEntry;

#define FM_NONE UINT32_MAX

// A node whose children are being visited.
typedef struct {
  const Subtree *subtree;
  // Where the next child starts.
  Length position;
  uint32_t child_index;
  uint32_t structural_child_index;
  const TSSymbol *alias_sequence;
  // The frame of the nearest listed ancestor-or-self (itself when `listed`).
  uint32_t owner;
  // This node's entry, when it is listed.
  uint32_t entry;
  // The entry of the last child listed under this node (owners only).
  uint32_t last_child;
  // This node's structural index among its parent's children, and whether it is an extra
  // (what a field lookup through a hidden node needs).
  uint32_t own_structural_index;
  bool extra;
  bool listed;
} FmFrame;

size_t failmode_entry_size(void) { return sizeof(FmEntry); }

static TSSymbol fm_public_symbol(const TSLanguage *language, Subtree subtree, TSSymbol alias) {
  TSSymbol symbol = alias ? alias : ts_subtree_symbol(subtree);
  return ts_language_public_symbol(language, symbol);
}

// The field of the child at `structural_index` of `parent`, from the parent's production.
static TSFieldId fm_field_at(
  const TSLanguage *language,
  const Subtree *parent,
  uint32_t structural_index
) {
  const TSFieldMapEntry *map, *end;
  ts_language_field_map(language, parent->ptr->production_id, &map, &end);
  for (; map < end; map++) {
    if (!map->inherited && map->child_index == structural_index) return map->field_id;
  }
  return 0;
}

// The field of a visible child (`extra`, at `structural_index`) of the node of frame `at`:
// looked up in that node's production, then, while the frames above are hidden and not
// extras, in theirs (a field of a hidden node belongs to its visible children), as
// `ts_tree_cursor_current_field_id` does on the cursor's stack.
static TSFieldId fm_field_of(
  const TSLanguage *language,
  const FmFrame *stack,
  size_t at,
  uint32_t structural_index,
  bool extra
) {
  if (extra || language->field_count == 0) return 0;
  TSFieldId field = fm_field_at(language, stack[at].subtree, structural_index);
  while (field == 0 && at > 0 && !stack[at].listed && !stack[at].extra) {
    field = fm_field_at(language, stack[at - 1].subtree, stack[at].own_structural_index);
    at--;
  }
  return field;
}

static bool fm_push(FmFrame **stack, size_t *len, size_t *cap, FmFrame frame) {
  if (*len == *cap) {
    size_t grown = *cap ? *cap * 2 : 64;
    FmFrame *bigger = realloc(*stack, grown * sizeof(FmFrame));
    if (!bigger) return false;
    *stack = bigger;
    *cap = grown;
  }
  (*stack)[(*len)++] = frame;
  return true;
}

// Lists `root` and its visible descendants into `out` (room for `cap` entries; the root's
// descendant count always suffices), leaving out the descendants of nodes whose public symbol
// is marked in `opaque` (`symbol_count` entries) when they have children and no error.
// Returns the number of entries written, or SIZE_MAX when memory ran out or `out` was too
// small (the caller then walks with a cursor instead).
size_t failmode_list_nodes(
  TSNode root,
  const bool *opaque,
  uint32_t symbol_count,
  FmEntry *out,
  size_t cap
) {
  const TSTree *tree = root.tree;
  const TSLanguage *language = tree->language;
  const Subtree *root_subtree = (const Subtree *)root.id;
  if (cap == 0) return SIZE_MAX;

  size_t n = 0;
  uint32_t pre = 0;
  FmFrame *stack = NULL;
  size_t depth = 0, stack_cap = 0;

  // The root, listed like any node.
  {
    Subtree s = *root_subtree;
    TSSymbol kind = fm_public_symbol(language, s, (TSSymbol)root.context[3]);
    uint32_t children = ts_subtree_visible_child_count(s);
    bool closed = kind < symbol_count && opaque[kind] && children > 0 &&
                  ts_subtree_error_cost(s) == 0;
    out[0] = (FmEntry){
      .node = root,
      .end = 1,
      .parent = FM_NONE,
      .previous = FM_NONE,
      .pre = 0,
      .kind_id = kind,
      .field = 0,
      .closed = closed,
    };
    n = 1;
    if (closed) {
      pre = ts_subtree_visible_descendant_count(s) + 1;
    } else {
      pre = 1;
      if (ts_subtree_child_count(s) > 0) {
        Length position = {root.context[0], {root.context[1], root.context[2]}};
        FmFrame frame = {
          .subtree = root_subtree,
          .position = position,
          .child_index = 0,
          .structural_child_index = 0,
          .alias_sequence = ts_language_alias_sequence(language, s.ptr->production_id),
          .owner = 0,
          .entry = 0,
          .last_child = FM_NONE,
          .own_structural_index = 0,
          .extra = false,
          .listed = true,
        };
        if (!fm_push(&stack, &depth, &stack_cap, frame)) goto fail;
      }
    }
  }

  while (depth > 0) {
    FmFrame *frame = &stack[depth - 1];
    Subtree parent = *frame->subtree;
    if (frame->child_index == parent.ptr->child_count) {
      if (frame->listed) out[frame->entry].end = (uint32_t)n;
      depth--;
      continue;
    }
    const Subtree *child = &ts_subtree_children(parent)[frame->child_index];
    Subtree c = *child;
    Length position = frame->position;
    TSSymbol alias = 0;
    bool extra = ts_subtree_extra(c);
    uint32_t structural_index = frame->structural_child_index;
    if (!extra) {
      if (frame->alias_sequence) alias = frame->alias_sequence[structural_index];
      frame->structural_child_index++;
    }
    bool visible = ts_subtree_visible(c) || alias != 0;
    frame->position = length_add(frame->position, ts_subtree_size(c));
    frame->child_index++;
    if (frame->child_index < parent.ptr->child_count) {
      Subtree next = ts_subtree_children(parent)[frame->child_index];
      frame->position = length_add(frame->position, ts_subtree_padding(next));
    }
    uint32_t owner_at = frame->owner;
    bool has_children = ts_subtree_child_count(c) > 0;
    if (visible) {
      if (n >= cap || n >= FM_NONE) goto fail;
      FmFrame *owner = &stack[owner_at];
      uint32_t i = (uint32_t)n;
      TSSymbol kind = fm_public_symbol(language, c, alias);
      uint32_t children = ts_subtree_visible_child_count(c);
      bool closed = kind < symbol_count && opaque[kind] && children > 0 &&
                    ts_subtree_error_cost(c) == 0;
      out[n] = (FmEntry){
        .node = {
          .context = {position.bytes, position.extent.row, position.extent.column, alias},
          .id = child,
          .tree = tree,
        },
        .end = i + 1,
        .parent = owner->entry,
        .previous = owner->last_child,
        .pre = pre,
        .kind_id = kind,
        .field = fm_field_of(language, stack, depth - 1, structural_index, extra),
        .closed = closed,
      };
      owner->last_child = i;
      n++;
      if (closed) {
        pre += ts_subtree_visible_descendant_count(c) + 1;
      } else {
        pre += 1;
        if (has_children && children > 0) {
          FmFrame next = {
            .subtree = child,
            .position = position,
            .child_index = 0,
            .structural_child_index = 0,
            .alias_sequence = ts_language_alias_sequence(language, c.ptr->production_id),
            .owner = (uint32_t)depth,
            .entry = i,
            .last_child = FM_NONE,
            .own_structural_index = structural_index,
            .extra = extra,
            .listed = true,
          };
          if (!fm_push(&stack, &depth, &stack_cap, next)) goto fail;
        }
      }
    } else if (has_children && ts_subtree_visible_child_count(c) > 0) {
      // A hidden node: its visible descendants are listed as children of the owner.
      FmFrame next = {
        .subtree = child,
        .position = position,
        .child_index = 0,
        .structural_child_index = 0,
        .alias_sequence = ts_language_alias_sequence(language, c.ptr->production_id),
        .owner = owner_at,
        .entry = FM_NONE,
        .last_child = FM_NONE,
        .own_structural_index = structural_index,
        .extra = extra,
        .listed = false,
      };
      if (!fm_push(&stack, &depth, &stack_cap, next)) goto fail;
    }
  }
  free(stack);
  return n;

fail:
  free(stack);
  return SIZE_MAX;
}
