/**
 * How the printed release may break across pages: the print stylesheet, the PDF renderer's
 * layout pass and the pagination gate all follow these numbers.
 */

/** A table of up to this many body rows is kept on one page. */
export const KEEP_TABLE_ROWS = 10;
/** A longer table leaves at least this many rows at either end of a page break. */
export const END_ROWS = 3;
/** A list of up to this many items is kept on one page. */
export const KEEP_LIST_ITEMS = 6;
/** A longer list leaves at least this many items at either end of a page break. */
export const END_ITEMS = 2;
/** A page with less than this share of its text area used is under-filled. */
export const MIN_FILL = 0.5;
/** A figure that does not fit where it falls may be drawn this much smaller, and no smaller. */
export const MIN_FIGURE_SCALE = 0.8;
