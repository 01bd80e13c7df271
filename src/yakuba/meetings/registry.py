"""What 会議・議事録 offers other systems through the kernel's registries."""
