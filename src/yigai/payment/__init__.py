"""Payment reform: DIP, DRG and 集采 savings retention, as pure functions over case records."""
