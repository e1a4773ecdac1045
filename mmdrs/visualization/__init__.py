from .map_grid import colorize_label, grid, heatmap_overlay, tile, write_image

__all__ = ['colorize_label', 'grid', 'heatmap_overlay', 'tile', 'write_image']
