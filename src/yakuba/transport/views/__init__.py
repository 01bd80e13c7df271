"""Views of デマンド交通, one module per audience and task."""
