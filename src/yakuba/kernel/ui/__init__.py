"""UI shell: base templates, design tokens, preferences (text size, furigana, language), error pages."""
